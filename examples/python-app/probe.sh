python -c "import itsdangerous, markupsafe; print(itsdangerous.__name__, markupsafe.__version__)"
python -c "import app.__main__" 2>&1 | head -1 || true
find /app -type f | sort
cat /app/config.ini
