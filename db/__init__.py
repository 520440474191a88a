"""Card data and where it comes from: schema, store, queue, insurance clients, sync, CLI."""
