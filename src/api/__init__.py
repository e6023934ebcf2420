"""astrid-api: the first service of the Astrid data platform."""
