cd / && python -m greet
python -c "import greet._fast as f; print(f.__file__.endswith('.so'))"
find /app -type f | grep -v __pycache__ | sort
