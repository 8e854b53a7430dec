"""Spiders. ``generic`` serves every source that has feeds, listings and an article URL pattern;
a site that needs more gets one small module here, named by its registry entry's ``spider``."""
