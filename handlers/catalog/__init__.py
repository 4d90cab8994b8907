"""Every text users read, per language. Keys and placeholders match across languages."""
