python -c "import flask, requests, itsdangerous; print(flask.__name__, requests.__version__)"
find /app -type f | sort
cat /app/config.ini
