"""Prints the version of git, which the release job shells out to."""
import subprocess

from packaging.version import Version

out = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True).stdout
git = out.split()[2]
print("git", git, Version(git) >= Version("2.30"))
