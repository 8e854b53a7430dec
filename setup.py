"""For scrapyd-deploy only, which builds the Scrapy egg with `setup.py bdist_egg`: the project itself
is configured in pyproject.toml (packages, package data, entry points)."""

from setuptools import setup

setup()
