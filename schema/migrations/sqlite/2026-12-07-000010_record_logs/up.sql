-- The record logs (strategy meetings, safe-and-well checks, return interviews, NRM
-- referrals, police instruments, notifications) are root keys of the case document that
-- cases written before them lack: derive every case once, and the run adds them.
INSERT INTO outbox (document_id, touched, generation, queued_at, attempts)
SELECT id, '*', 1, 0, 0 FROM documents WHERE kind = 'case' AND deleted_at IS NULL
ON CONFLICT (document_id) DO UPDATE SET touched = '*';
