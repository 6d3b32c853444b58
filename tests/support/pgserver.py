"""A throwaway PostgreSQL server for Python tests (the bindings' pytest suite,
the agent desktop's service test): initdb into a temporary directory, listen
on a Unix socket there only, one database per test (new_database()).  As
root, the server runs as "nobody" (or PCRM_TEST_PG_RUN_AS), since initdb
refuses root.  When it cannot start, `error` says why and `uri_base` is None.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid


class PgServer:
    def __init__(self):
        self.dir = None
        self.bindir = None
        self.uri_base = None
        self.error = None
        self.user = None

    def start(self):
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
        if not candidates:
            self.error = "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
            return
        self.bindir = os.path.dirname(candidates[0])
        self.dir = tempfile.mkdtemp(prefix="pcrm-pytest-pg-")
        os.chmod(self.dir, 0o755)
        data = os.path.join(self.dir, "data")
        run_as = None
        if os.getuid() == 0:
            try:
                run_as = pwd.getpwnam(os.environ.get("PCRM_TEST_PG_RUN_AS", "nobody"))
            except KeyError:
                self.error = "running as root and there is no user to run initdb as"
                return
            os.chown(self.dir, run_as.pw_uid, run_as.pw_gid)

        def demote():
            if run_as is not None:
                os.setgid(run_as.pw_gid)
                os.setuid(run_as.pw_uid)

        env = dict(os.environ, LC_ALL="C")
        log = os.path.join(self.dir, "server.log")
        try:
            subprocess.run([os.path.join(self.bindir, "initdb"), "-D", data, "-U", "postgres",
                            "--auth=trust", "-E", "UTF8", "--no-sync"],
                           check=True, capture_output=True, preexec_fn=demote, env=env,
                           cwd=self.dir, timeout=120)
            subprocess.run([os.path.join(self.bindir, "pg_ctl"), "-D", data, "-l", log, "-w",
                            "-o", "-k %s -c listen_addresses= -c fsync=off" % self.dir,
                            "start"],
                           check=True, capture_output=True, preexec_fn=demote, env=env,
                           cwd=self.dir, timeout=120)
        except (subprocess.SubprocessError, OSError) as e:
            out = getattr(e, "stderr", b"") or b""
            self.error = "cannot start PostgreSQL: %s %s" % (e, out.decode(errors="replace"))
            return
        self.demote = demote
        self.env = env
        self.uri_base = "postgresql:///%s?host=" + self.dir + "&user=postgres"

    def new_database(self):
        name = "t_" + uuid.uuid4().hex[:12]
        subprocess.run([os.path.join(self.bindir, "createdb"), "-h", self.dir, "-U", "postgres",
                        name], check=True, capture_output=True, timeout=60)
        return self.uri_base % name

    def stop(self):
        if self.uri_base:
            subprocess.run([os.path.join(self.bindir, "pg_ctl"), "-D",
                            os.path.join(self.dir, "data"), "-m", "immediate", "-w", "stop"],
                           capture_output=True, preexec_fn=self.demote, env=self.env,
                           cwd=self.dir, timeout=120)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, uri, sql):
        """The first column of the first row of `sql` in the database of `uri`, as text."""
        name = uri.split("///", 1)[1].split("?", 1)[0]
        r = subprocess.run([os.path.join(self.bindir, "psql"), "-h", self.dir, "-U", "postgres",
                            "-d", name, "-tAc", sql], check=True, capture_output=True, text=True,
                           timeout=60)
        return r.stdout.strip()
