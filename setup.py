"""Package list for setuptools; everything else is in pyproject.toml.

The bundled runbooks live in runbooks/ at the top of the repository, where people
read and edit them, and ship inside the wheel as the package tui.bundled_runbooks.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["tui*", "widgets*"]), "tui.bundled_runbooks"],
    package_dir={"tui.bundled_runbooks": "runbooks"},
)
