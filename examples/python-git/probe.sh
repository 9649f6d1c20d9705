cd /app && python -m release
git --version
ls /app | sort
