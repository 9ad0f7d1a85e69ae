-- Nothing to undo: the queued derivations are harmless, and the logs stay in the documents.
SELECT 1;
