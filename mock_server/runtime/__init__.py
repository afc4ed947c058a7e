"""Process machinery: the live server, gunicorn workers, callback delivery, system and shared clocks, TLS."""
