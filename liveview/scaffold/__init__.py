"""`liveview new NAME`: a runnable project — the app, a LiveView with its template file, its
tests with `liveview.testing`, a README with its commands — optionally on Redis or PostgreSQL."""

from liveview.scaffold.project import (
    Backend,
    ProjectError,
    check_folder,
    check_name,
    install_source,
    installed_version,
    project_files,
    requirement,
    write_project,
)

__all__ = [
    "Backend",
    "ProjectError",
    "check_folder",
    "check_name",
    "install_source",
    "installed_version",
    "project_files",
    "requirement",
    "write_project",
]
