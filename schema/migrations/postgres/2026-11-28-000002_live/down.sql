DROP TABLE server_identity;
DROP TABLE device_caseloads;
DROP TABLE sync_states;
