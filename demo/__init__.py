"""The demo data's builder (imported only when a database loads the demo)."""
