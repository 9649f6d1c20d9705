FROM python:3.12
WORKDIR /po
COPY poetrysettings/ .
RUN poetry install --only main
WORKDIR /pe
COPY pipenvsettings/ .
RUN pipenv install --system --deploy
