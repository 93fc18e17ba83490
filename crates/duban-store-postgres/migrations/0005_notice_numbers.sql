-- The last 督办 number given out in each year, so that numbering a notice is one row update
-- rather than a count over every notice of the year.
CREATE TABLE notice_numbers (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO notice_numbers (year, last)
SELECT CAST(substr(answer_by, 1, 4) AS INTEGER), COUNT(*) FROM notices GROUP BY CAST(substr(answer_by, 1, 4) AS INTEGER);
