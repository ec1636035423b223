"""Every resource router of the API, in the order the OpenAPI document lists them."""

from fastapi import APIRouter

from litreview.api import (
    annotations,
    area_map,
    areas,
    columns,
    duplicates,
    export,
    health,
    import_arxiv,
    import_bibtex,
    import_table,
    live,
    matrix,
    members,
    notes,
    papers,
    relations,
    suggestions,
    tags,
    web_sources,
)


def all_routers() -> list[APIRouter]:
    return [
        health.router,
        papers.router,
        web_sources.router,
        annotations.router,
        notes.router,
        tags.router,
        columns.router,  # before areas: GET /areas/table is not GET /areas/{area_id}
        areas.router,
        area_map.router,
        relations.router,
        duplicates.router,
        suggestions.router,
        import_arxiv.router,
        import_bibtex.router,
        import_table.router,
        export.router,
        matrix.router,
        members.router,
        live.router,
    ]
