cd / && python /srv/app/app.py
python -c "import psycopg2._psycopg as m; print(m.__file__.endswith('.so'))"
ls /srv/app | sort
cat /etc/app/app.ini
