DROP TABLE blob_upload_parts;
DROP TABLE blob_uploads;
DROP TABLE blob_references;
DROP TABLE blobs;
