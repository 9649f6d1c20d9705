cd /app && python main.py
python -c "import yaml; print(yaml.__version__, yaml.__with_libyaml__)"
ls /app | sort
