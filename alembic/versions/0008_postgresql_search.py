"""full-text search on PostgreSQL: a weighted tsvector per paper, a GIN index, accents folded

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:00:00.000000

SQLite has its FTS5 index since revision 0001; revision 0008 gives PostgreSQL the same index
under the same name: ``paper_fts(rowid, document)``, one row per paper (rowid = paper.id), the
document weighted as bm25 weighs SQLite's columns: title A, authors B, annotation and notes C,
abstract D. The text search configuration ``litreview`` folds accents (unaccent) and lower-cases
without stemming, as SQLite's ``unicode61 remove_diacritics 2`` tokenizer does. One function,
``paper_fts_refresh(ids)``, writes the documents; triggers call it for every write to papers
(once per INSERT statement, so a bulk import indexes its papers in one go), annotations and notes.
Nothing happens on SQLite.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION litreview (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION litreview"
    " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    """
    CREATE TABLE paper_fts (
        rowid INTEGER PRIMARY KEY REFERENCES paper (id) ON DELETE CASCADE,
        document TSVECTOR NOT NULL
    )""",
    "CREATE INDEX ix_paper_fts_document ON paper_fts USING gin (document)",
    r"""
    CREATE FUNCTION paper_fts_refresh(ids INTEGER[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO paper_fts (rowid, document)
        SELECT p.id,
               setweight(to_tsvector('litreview', p.title), 'A')
               || setweight(to_tsvector('litreview', p.author_names), 'B')
               || setweight(to_tsvector('litreview', coalesce(a.markdown, '')
                                        || coalesce(E'\n' || n.notes, '')), 'C')
               || setweight(to_tsvector('litreview', coalesce(p.abstract, '')), 'D')
        FROM paper AS p
        LEFT JOIN annotation AS a ON a.paper_id = p.id
        LEFT JOIN LATERAL (
            SELECT string_agg(markdown, E'\n' ORDER BY position) AS notes
            FROM paper_note WHERE paper_id = p.id
        ) AS n ON true
        WHERE p.id = ANY (ids)
        ON CONFLICT (rowid) DO UPDATE SET document = excluded.document
    $$""",
    """
    CREATE FUNCTION paper_fts_new_papers() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM paper_fts_refresh(ARRAY(SELECT id FROM new_papers));
        RETURN NULL;
    END $$""",
    """
    CREATE FUNCTION paper_fts_paper_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM paper_fts_refresh(ARRAY[new.id]);
        RETURN NULL;
    END $$""",
    """
    CREATE FUNCTION paper_fts_text_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM paper_fts_refresh(ARRAY[new.paper_id]);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM paper_fts_refresh(ARRAY[old.paper_id]);
        ELSE
            PERFORM paper_fts_refresh(ARRAY[old.paper_id, new.paper_id]);
        END IF;
        RETURN NULL;
    END $$""",
    """
    CREATE TRIGGER paper_fts_ai AFTER INSERT ON paper
    REFERENCING NEW TABLE AS new_papers
    FOR EACH STATEMENT EXECUTE FUNCTION paper_fts_new_papers()""",
    """
    CREATE TRIGGER paper_fts_au AFTER UPDATE OF title, abstract, author_names ON paper
    FOR EACH ROW EXECUTE FUNCTION paper_fts_paper_changed()""",
    """
    CREATE TRIGGER annotation_fts AFTER INSERT OR DELETE OR UPDATE OF markdown, paper_id
    ON annotation FOR EACH ROW EXECUTE FUNCTION paper_fts_text_changed()""",
    """
    CREATE TRIGGER paper_note_fts AFTER INSERT OR DELETE OR UPDATE OF markdown, position, paper_id
    ON paper_note FOR EACH ROW EXECUTE FUNCTION paper_fts_text_changed()""",
    "SELECT paper_fts_refresh(ARRAY(SELECT id FROM paper))",
]

DOWNGRADE = [
    "DROP TRIGGER IF EXISTS paper_note_fts ON paper_note",
    "DROP TRIGGER IF EXISTS annotation_fts ON annotation",
    "DROP TRIGGER IF EXISTS paper_fts_au ON paper",
    "DROP TRIGGER IF EXISTS paper_fts_ai ON paper",
    "DROP FUNCTION IF EXISTS paper_fts_text_changed()",
    "DROP FUNCTION IF EXISTS paper_fts_paper_changed()",
    "DROP FUNCTION IF EXISTS paper_fts_new_papers()",
    "DROP FUNCTION IF EXISTS paper_fts_refresh(INTEGER[])",
    "DROP TABLE IF EXISTS paper_fts",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS litreview",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in UPGRADE:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in DOWNGRADE:
            op.execute(sql)
