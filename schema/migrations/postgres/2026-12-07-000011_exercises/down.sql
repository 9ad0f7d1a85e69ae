DROP TABLE exercise_injects;
DROP TABLE exercises;
