-- The help desk (pm-ask): the FAQ, its full-text index, and the questions
-- that found no good answer.
--
-- An entry comes from the shipped FAQ (share/pm/faq/zh_CN.yaml), the
-- config's ask.faq, or pm-ask faq add. terms holds its phrasings as the
-- retrieval compares them (normalised, synonyms made one word), one a
-- line; digest is of everything indexed, so a re-import re-indexes only
-- the entries that changed.
CREATE TABLE faq_entry (
	n           INTEGER PRIMARY KEY,   -- the rowid of its faq_fts row
	id          TEXT NOT NULL UNIQUE,
	question    TEXT NOT NULL,
	alternates  TEXT NOT NULL,         -- JSON array of phrasings
	answer      TEXT NOT NULL,         -- may hold {{config.*}} fields
	category    TEXT NOT NULL,
	tags        TEXT NOT NULL,         -- JSON array
	intent      TEXT,                  -- answered from the asker's own data
	source      TEXT NOT NULL CHECK (source IN ('shipped','config','local')),
	terms       TEXT NOT NULL,
	digest      TEXT NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

-- Trigram full text of terms (SQLite's trigram tokenizer: Chinese has no
-- spaces between words), ranked with bm25.
CREATE VIRTUAL TABLE faq_fts USING fts5(terms, tokenize = 'trigram');

-- Words owners use for one thing: each word is read as its group's first.
CREATE TABLE faq_synonym (
	word        TEXT PRIMARY KEY,
	canon       TEXT NOT NULL
) STRICT;

-- Filler that carries no meaning in a question (请问, 一下).
CREATE TABLE faq_stopword (
	word        TEXT PRIMARY KEY
) STRICT;

-- Questions with no good answer, and those that asked for a person: the
-- monthly feedback review reads them (pm-ask gaps).
CREATE TABLE ask_gap (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	asker       TEXT NOT NULL,
	unit        TEXT,
	question    TEXT NOT NULL,
	best        TEXT,                  -- the best entry found, if any
	score       INTEGER NOT NULL,      -- thousandths
	reason      TEXT NOT NULL CHECK (reason IN ('low_score','human')),
	ticket_id   INTEGER REFERENCES ticket(id)
) STRICT;
CREATE INDEX ask_gap_at ON ask_gap(at);
