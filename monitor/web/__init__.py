"""`monitor serve`: read-only web pages and Atom feeds over the database."""
