"""SQLite: schema, typed records and the queries the domain asks for."""
