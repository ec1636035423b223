"""The library: the only code that writes rows.

Functions here take a ``Session`` keyword or first positional argument and never commit; the
caller (a CLI command or an API route) commits once, so one user action is one transaction.
"""
