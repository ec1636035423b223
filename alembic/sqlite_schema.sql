-- The schema the migrations make on SQLite (python -m litreview.snapshot wrote it;
-- see litreview/snapshot.py). A new library is created from it.
-- revision: 0019
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE author (
	id INTEGER NOT NULL, 
	name_key VARCHAR(300) NOT NULL, 
	name VARCHAR(300) NOT NULL, 
	family VARCHAR(200) NOT NULL, 
	given VARCHAR(200) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name_key)
);
CREATE TABLE paper (
	id INTEGER NOT NULL, 
	"key" VARCHAR(200) NOT NULL, 
	entry_type VARCHAR(40) NOT NULL, 
	title TEXT NOT NULL, 
	title_fp VARCHAR(200) NOT NULL, 
	author_names TEXT NOT NULL, 
	abstract TEXT, 
	year INTEGER, 
	date VARCHAR(40), 
	venue TEXT, 
	doi VARCHAR(300), 
	arxiv_id VARCHAR(40), 
	arxiv_version INTEGER, 
	arxiv_categories JSON NOT NULL, 
	primary_category VARCHAR(40), 
	arxiv_comment TEXT, 
	journal_ref TEXT, 
	published VARCHAR(40), 
	arxiv_updated VARCHAR(40), 
	url TEXT, 
	pdf_url TEXT, 
	status VARCHAR(16) DEFAULT 'unread' NOT NULL, 
	rating INTEGER, 
	extra JSON NOT NULL, 
	original JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (arxiv_id), 
	UNIQUE (doi), 
	UNIQUE ("key"), 
	CONSTRAINT reading_status CHECK (status IN ('unread', 'to_read', 'skimmed', 'read'))
);
CREATE TABLE annotation (
	id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	markdown TEXT NOT NULL, 
	version INTEGER NOT NULL, 
	arxiv_version INTEGER, 
	updated_at DATETIME NOT NULL, edited_by VARCHAR(100), 
	PRIMARY KEY (id), 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	UNIQUE (paper_id)
);
CREATE TABLE paper_author (
	paper_id INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	position INTEGER NOT NULL, 
	author_id INTEGER NOT NULL, 
	affiliation TEXT, 
	PRIMARY KEY (paper_id, role, position), 
	FOREIGN KEY(author_id) REFERENCES author (id) ON DELETE RESTRICT, 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT author_role CHECK (role IN ('author', 'editor'))
);
CREATE TABLE paper_tag (
	paper_id INTEGER NOT NULL, 
	tag_id INTEGER NOT NULL, 
	PRIMARY KEY (paper_id, tag_id), 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	FOREIGN KEY(tag_id) REFERENCES tag (id) ON DELETE CASCADE
);
CREATE TABLE provenance (
	id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	source VARCHAR(16) NOT NULL, 
	detail TEXT NOT NULL, 
	arxiv_version INTEGER, 
	imported_at DATETIME NOT NULL, created_by VARCHAR(100), 
	PRIMARY KEY (id), 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT source_kind CHECK (source IN ('arxiv', 'bibtex', 'manual'))
);
CREATE TABLE annotation_revision (
	id INTEGER NOT NULL, 
	annotation_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	markdown TEXT NOT NULL, 
	saved_at DATETIME NOT NULL, edited_by VARCHAR(100), 
	PRIMARY KEY (id), 
	FOREIGN KEY(annotation_id) REFERENCES annotation (id) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE paper_fts USING fts5(title, abstract, authors, annotation, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE paper_fts_pause (id INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE paper_fts_terms USING fts5vocab(paper_fts, instance);
CREATE TABLE paper_note (
	id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	markdown TEXT NOT NULL, 
	location VARCHAR(200) NOT NULL, 
	position INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, created_by VARCHAR(100), edited_by VARCHAR(100), private BOOLEAN DEFAULT 0 NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT note_kind CHECK (kind IN ('quote', 'question', 'critique', 'note'))
);
CREATE TABLE custom_column (
	id INTEGER NOT NULL, 
	target VARCHAR(16) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	description TEXT NOT NULL, 
	type VARCHAR(16) NOT NULL, 
	options JSON NOT NULL, 
	unit VARCHAR(40) NOT NULL, 
	minimum FLOAT, 
	maximum FLOAT, 
	formula TEXT, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_custom_column_name UNIQUE (target, name), 
	CONSTRAINT column_target CHECK (target IN ('paper', 'area')), 
	CONSTRAINT column_type CHECK (type IN ('number', 'integer', 'rating', 'choice', 'multi_choice', 'text', 'yes_no', 'date', 'link'))
);
CREATE TABLE paper_value (
	column_id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	num FLOAT, 
	text TEXT, 
	data JSON, 
	PRIMARY KEY (column_id, paper_id), 
	FOREIGN KEY(column_id) REFERENCES custom_column (id) ON DELETE CASCADE, 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE TABLE area_value (
	column_id INTEGER NOT NULL, 
	area_id INTEGER NOT NULL, 
	num FLOAT, 
	text TEXT, 
	data JSON, 
	PRIMARY KEY (column_id, area_id), 
	FOREIGN KEY(column_id) REFERENCES custom_column (id) ON DELETE CASCADE, 
	FOREIGN KEY(area_id) REFERENCES area (id) ON DELETE CASCADE
);
CREATE TABLE saved_view (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	target VARCHAR(16) NOT NULL, 
	spec JSON NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	CONSTRAINT column_target CHECK (target IN ('paper', 'area'))
);
CREATE TABLE paper_alias (
	"key" VARCHAR(200) NOT NULL, 
	paper_id INTEGER NOT NULL, 
	PRIMARY KEY ("key"), 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE TABLE possible_duplicate (
	id INTEGER NOT NULL, 
	paper_a_id INTEGER NOT NULL, 
	paper_b_id INTEGER NOT NULL, 
	reason TEXT NOT NULL, 
	status VARCHAR(16) DEFAULT 'open' NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT ck_possible_duplicate_order CHECK (paper_a_id < paper_b_id), 
	FOREIGN KEY(paper_a_id) REFERENCES paper (id) ON DELETE CASCADE, 
	FOREIGN KEY(paper_b_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT uq_possible_duplicate UNIQUE (paper_a_id, paper_b_id), 
	CONSTRAINT duplicate_status CHECK (status IN ('open', 'dismissed'))
);
CREATE TABLE preamble (
	id INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	source TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (text)
);
CREATE TABLE "tag" (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	private BOOLEAN DEFAULT 0 NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE member (
	id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	password_hash TEXT, 
	failed_sign_ins INTEGER NOT NULL, 
	blocked_until DATETIME, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	CONSTRAINT member_role CHECK (role IN ('owner', 'editor', 'viewer'))
);
CREATE TABLE member_secret (
	id INTEGER NOT NULL, 
	member_id INTEGER NOT NULL, 
	digest VARCHAR(64) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	can_write BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(member_id) REFERENCES member (id) ON DELETE CASCADE, 
	UNIQUE (digest)
);
CREATE TABLE "area" (
	id INTEGER NOT NULL, 
	parent_id INTEGER, 
	name VARCHAR(200) NOT NULL, 
	description TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	version INTEGER DEFAULT '1' NOT NULL, 
	status VARCHAR(16) DEFAULT 'open' NOT NULL, edited_by VARCHAR(100), updated_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_area_parent_name UNIQUE (parent_id, name), 
	CONSTRAINT area_status CHECK (status IN ('open', 'active', 'promising', 'stalled', 'solved', 'abandoned')), 
	FOREIGN KEY(parent_id) REFERENCES area (id) ON DELETE RESTRICT
);
CREATE TABLE "paper_area" (
	paper_id INTEGER NOT NULL, 
	area_id INTEGER NOT NULL, 
	note TEXT NOT NULL, 
	stance VARCHAR(16), 
	PRIMARY KEY (paper_id, area_id), 
	CONSTRAINT stance CHECK (stance IN ('supports', 'undercuts', 'background')), 
	FOREIGN KEY(area_id) REFERENCES area (id) ON DELETE CASCADE, 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE TABLE area_link (
	id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	target_id INTEGER NOT NULL, 
	relation VARCHAR(16) NOT NULL, 
	note TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT ck_area_link_not_self CHECK (source_id <> target_id), 
	FOREIGN KEY(source_id) REFERENCES area (id) ON DELETE CASCADE, 
	FOREIGN KEY(target_id) REFERENCES area (id) ON DELETE CASCADE, 
	CONSTRAINT uq_area_link UNIQUE (source_id, target_id, relation), 
	CONSTRAINT area_relation CHECK (relation IN ('enables', 'applies_to', 'alternative_to', 'related'))
);
CREATE TABLE "paper_link" (
	id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	target_id INTEGER NOT NULL, 
	relation VARCHAR(16) NOT NULL, 
	note TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_paper_link UNIQUE (source_id, target_id, relation), 
	CONSTRAINT ck_paper_link_not_self CHECK (source_id <> target_id), 
	CONSTRAINT relation CHECK (relation IN ('cites', 'extends', 'critiques', 'replicates', 'responds_to', 'related', 'corrects', 'published_as', 'supersedes')), 
	FOREIGN KEY(source_id) REFERENCES paper (id) ON DELETE CASCADE, 
	FOREIGN KEY(target_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE TABLE paper_suggestion (
	id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	target_id INTEGER NOT NULL, 
	relation VARCHAR(16) NOT NULL, 
	found_in VARCHAR(40) NOT NULL, 
	evidence TEXT NOT NULL, 
	state VARCHAR(16) DEFAULT 'pending' NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT ck_paper_suggestion_not_self CHECK (source_id <> target_id), 
	FOREIGN KEY(source_id) REFERENCES paper (id) ON DELETE CASCADE, 
	FOREIGN KEY(target_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT uq_paper_suggestion UNIQUE (source_id, target_id, relation), 
	CONSTRAINT relation CHECK (relation IN ('cites', 'extends', 'critiques', 'replicates', 'responds_to', 'related', 'corrects', 'published_as', 'supersedes')), 
	CONSTRAINT suggestion_state CHECK (state IN ('pending', 'accepted', 'dismissed'))
);
CREATE TABLE member_paper (
	member_id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	status VARCHAR(16) DEFAULT 'unread' NOT NULL, 
	rating INTEGER, 
	PRIMARY KEY (member_id, paper_id), 
	FOREIGN KEY(member_id) REFERENCES member (id) ON DELETE CASCADE, 
	FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT reading_status CHECK (status IN ('unread', 'to_read', 'skimmed', 'read'))
);
CREATE VIRTUAL TABLE paper_fts_rows USING fts5vocab(paper_fts, row);
CREATE INDEX ix_author_family ON author (family);
CREATE INDEX ix_paper_title_fp ON paper (title_fp);
CREATE INDEX ix_paper_updated_at ON paper (updated_at);
CREATE INDEX ix_paper_year ON paper (year);
CREATE INDEX ix_paper_author_author_id ON paper_author (author_id);
CREATE INDEX ix_paper_tag_tag_id ON paper_tag (tag_id);
CREATE INDEX ix_provenance_paper_id ON provenance (paper_id);
CREATE INDEX ix_annotation_revision_annotation_id ON annotation_revision (annotation_id);
CREATE INDEX ix_paper_created_at ON paper (created_at);
CREATE INDEX ix_paper_rating ON paper (rating);
CREATE INDEX ix_paper_status ON paper (status);
CREATE INDEX ix_paper_tag_tag_paper ON paper_tag (tag_id, paper_id);
CREATE INDEX ix_annotation_written ON annotation (paper_id) WHERE markdown <> '';
CREATE INDEX ix_paper_note_paper_id ON paper_note (paper_id);
CREATE INDEX ix_paper_value_num ON paper_value (column_id, num, paper_id);
CREATE INDEX ix_paper_value_text ON paper_value (column_id, text, paper_id);
CREATE INDEX ix_area_value_area_id ON area_value (area_id);
CREATE INDEX ix_paper_alias_paper_id ON paper_alias (paper_id);
CREATE INDEX ix_possible_duplicate_paper_b_id ON possible_duplicate (paper_b_id);
CREATE INDEX ix_possible_duplicate_status ON possible_duplicate (status);
CREATE INDEX ix_member_secret_member_id ON member_secret (member_id);
CREATE INDEX ix_area_parent_id ON area (parent_id);
CREATE UNIQUE INDEX ux_area_root_name ON area (name) WHERE parent_id IS NULL;
CREATE INDEX ix_paper_area_area_paper ON paper_area (area_id, paper_id);
CREATE INDEX ix_paper_area_area_id ON paper_area (area_id);
CREATE INDEX ix_area_link_source_id ON area_link (source_id);
CREATE INDEX ix_area_link_target_id ON area_link (target_id);
CREATE INDEX ix_paper_link_target_id ON paper_link (target_id);
CREATE INDEX ix_paper_link_source_id ON paper_link (source_id);
CREATE INDEX ix_paper_suggestion_state ON paper_suggestion (state, source_id);
CREATE INDEX ix_paper_suggestion_target_id ON paper_suggestion (target_id);
CREATE INDEX ix_member_paper_status ON member_paper (member_id, status, paper_id);
CREATE INDEX ix_member_paper_rating ON member_paper (member_id, rating, paper_id);
CREATE INDEX ix_member_paper_paper ON member_paper (paper_id);
CREATE INDEX ix_paper_value_paper ON paper_value (paper_id, column_id, num);
CREATE INDEX ix_paper_names_others ON paper (id) WHERE instr(extra, '"crossref"') > 0 OR instr(extra, '"related"') > 0 OR instr(extra, '"cites"') > 0;
CREATE VIEW paper_fts_text AS
        SELECT p.id AS id, p.title AS title, coalesce(p.abstract, '') AS abstract,
               p.author_names AS authors,
               coalesce((SELECT markdown FROM annotation WHERE paper_id = p.id), '')
               || coalesce(char(10) || (SELECT group_concat(markdown, char(10)) FROM
                    (SELECT markdown FROM paper_note WHERE paper_id = p.id AND NOT private ORDER BY position)), '')
               || coalesce(char(10) || (SELECT group_concat(text, char(10)) FROM
                    (SELECT v.text FROM paper_value AS v
                     JOIN custom_column AS c ON c.id = v.column_id
                     WHERE v.paper_id = p.id AND c.type = 'text'
                     ORDER BY c.position, c.id)), '')
               AS annotation
        FROM paper AS p;
CREATE TRIGGER paper_fts_ad AFTER DELETE ON paper BEGIN
            DELETE FROM paper_fts WHERE rowid = old.id;
        END;
CREATE TRIGGER paper_fts_ai AFTER INSERT ON paper
        WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) BEGIN
            INSERT INTO paper_fts (rowid, title, abstract, authors, annotation) SELECT id, title, abstract, authors, annotation FROM paper_fts_text WHERE id = new.id;
        END;
CREATE TRIGGER paper_fts_au AFTER UPDATE OF title, abstract, author_names ON paper BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = new.id)
            WHERE rowid = new.id;
        END;
CREATE TRIGGER annotation_fts_ai AFTER INSERT ON annotation BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = new.paper_id)
            WHERE rowid = new.paper_id;
        END;
CREATE TRIGGER annotation_fts_au AFTER UPDATE OF markdown ON annotation BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = new.paper_id)
            WHERE rowid = new.paper_id;
        END;
CREATE TRIGGER annotation_fts_ad AFTER DELETE ON annotation BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = old.paper_id)
            WHERE rowid = old.paper_id;
        END;
CREATE TRIGGER paper_note_fts_ai AFTER INSERT ON paper_note WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = new.paper_id)
            WHERE rowid = new.paper_id;
        END;
CREATE TRIGGER paper_note_fts_ad AFTER DELETE ON paper_note WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = old.paper_id)
            WHERE rowid = old.paper_id;
        END;
CREATE TRIGGER paper_value_fts_ai AFTER INSERT ON paper_value WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) AND coalesce((SELECT type FROM custom_column WHERE id = new.column_id), 'text') = 'text' BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = new.paper_id)
            WHERE rowid = new.paper_id;
        END;
CREATE TRIGGER paper_value_fts_au AFTER UPDATE OF text ON paper_value WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) AND coalesce((SELECT type FROM custom_column WHERE id = new.column_id), 'text') = 'text' BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = new.paper_id)
            WHERE rowid = new.paper_id;
        END;
CREATE TRIGGER paper_value_fts_ad AFTER DELETE ON paper_value WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) AND coalesce((SELECT type FROM custom_column WHERE id = old.column_id), 'text') = 'text' BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = old.paper_id)
            WHERE rowid = old.paper_id;
        END;
CREATE TRIGGER paper_note_fts_au AFTER UPDATE OF markdown, position, private ON paper_note WHEN NOT EXISTS (SELECT 1 FROM paper_fts_pause) BEGIN
            UPDATE paper_fts SET (title, abstract, authors, annotation) =
                (SELECT title, abstract, authors, annotation FROM paper_fts_text
                 WHERE id = new.paper_id)
            WHERE rowid = new.paper_id;
        END;
INSERT INTO alembic_version (version_num) VALUES ('0019');
