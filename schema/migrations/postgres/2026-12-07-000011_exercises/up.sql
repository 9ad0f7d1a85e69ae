-- Training exercises (docs/exercises.md): a scenario played against a training organisation
-- of its own, kept apart from real ones. The organisation is marked by its row here: never
-- shared with, listed under training, erased when the exercise ends unless kept.
CREATE TABLE exercises (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL UNIQUE REFERENCES organisations (id),
    -- The scenario's id (`abena`, `qiro`, or a trainer's own file's) and its whole text, so
    -- the report reads the injects as they were played even if the file changes later.
    scenario TEXT NOT NULL,
    scenario_text TEXT NOT NULL,
    -- Scenario minutes per real minute: 1 is real time, 10 plays an hour in six minutes.
    speed BIGINT NOT NULL,
    case_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    kept BOOLEAN NOT NULL DEFAULT FALSE
);

-- Each inject once: the runner inserts the row in the transaction that plays it.
CREATE TABLE exercise_injects (
    exercise_id TEXT NOT NULL REFERENCES exercises (id),
    inject_id TEXT NOT NULL,
    played_at BIGINT NOT NULL,
    PRIMARY KEY (exercise_id, inject_id)
);
