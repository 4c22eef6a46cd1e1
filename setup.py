"""Build step: ship the Alembic revisions (written in the top-level migrations/) inside the package.

migrations/ stays where revisions are written; the wheel carries them as `monitor/_migrations`, where
monitor.store.engine finds them in an installed (non-editable) package.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["monitor", "monitor.*"]),
        "monitor._migrations",
        "monitor._migrations.versions",
    ],
    package_dir={"monitor._migrations": "migrations"},
    package_data={
        "monitor": ["py.typed", "gate_weights.json", "web/templates/*.html", "web/templates/*.css"],
        "monitor._migrations": ["script.py.mako"],
    },
)
