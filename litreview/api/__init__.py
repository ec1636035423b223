"""The JSON API under ``/api``: one router module per resource, each a thin edge over library/."""
