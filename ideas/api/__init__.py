"""Lode's REST API (/api/v1/): the pages' rules, through the same permissions, queries and
services. See docs/api.md."""
