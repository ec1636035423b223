"""Importers: pure functions from input (text, or an injected httpx.Client) to records and problems.

They never write to the database and never drop a problem silently; the library stores records.
"""
