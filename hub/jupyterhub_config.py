"""JupyterHub for the demo class of `make hub` (hub/demo.py sets up the state and runs it).

Read from the environment demo.py passes: HUB_STATE, HUB_PORT, HUB_API_PORT,
HUB_PROXY_API_PORT, HUB_COURSE, HUB_CONFIG_PATH, HUB_DEMO_PASSWORD; and, for instructors who
grade in batches, HUB_GRADE_ON_SUBMIT=0 (no grading on submit) and HUB_POLL_SECONDS (10).
"""

import os
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

c = get_config()  # noqa: F821  (injected by traitlets)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STATE = Path(os.environ["HUB_STATE"])
HOMES = STATE / "home"
INSTRUCTOR = "instructor"

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["HUB_API_PORT"])
c.JupyterHub.db_url = f"sqlite:///{STATE / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "hub" / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [
    str(ROOT / "hub" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")
]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "hub" / "proxy.pid")

# One shared password, any of the class's names (README: a real authenticator for a class).
# SharedPasswordAuthenticator would refuse a password under 8 characters, such as "secret".
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["HUB_DEMO_PASSWORD"]
c.Authenticator.allowed_users = {INSTRUCTOR, "student1", "student2", "student3"}


class CourseSpawner(LocalProcessSpawner):
    """Each user's JupyterLab runs as that user, at home in the state folder (not /home), so
    that a demo's files are all in one folder that removing resets."""

    def user_env(self, env):
        env = super().user_env(env)
        env["HOME"] = str(HOMES / self.user.name)
        return env

    def make_preexec_fn(self, name):
        become = set_user_setuid(name, chdir=False)
        home = HOMES / name

        def preexec():
            become()
            os.chdir(home)

        return preexec


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# Every server reads the class's nbgrader_config.py there: course_id and the exchange.
ENVIRONMENT = {"PATH": f"{BIN}:/usr/bin:/bin", "JUPYTER_CONFIG_PATH": os.environ["HUB_CONFIG_PATH"]}
c.Spawner.environment = ENVIRONMENT
c.Spawner.start_timeout = c.Spawner.http_timeout = 120  # torch & co. on a busy 2-core machine

if os.environ.get("HUB_GRADE_ON_SUBMIT", "1") != "0":
    c.JupyterHub.services = [
        {
            "name": "grade-on-submit",
            "user": INSTRUCTOR,  # grades unprivileged, in the rootless sandbox; never as root
            "command": [
                str(BIN / "python"),
                str(ROOT / "hub" / "grade_on_submit.py"),
                "--poll",
                os.environ.get("HUB_POLL_SECONDS", "10"),
            ],  # fmt: skip
            "cwd": os.environ["HUB_COURSE"],
            "environment": ENVIRONMENT,
        }
    ]
