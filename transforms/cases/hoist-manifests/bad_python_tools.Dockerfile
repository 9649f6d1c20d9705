FROM python:3.12
WORKDIR /pe
COPY pipenvapp/ .
RUN pipenv install --system --deploy
WORKDIR /po
COPY poetryapp/ .
RUN poetry install --only main
WORKDIR /uv
COPY uvapp/ .
RUN uv sync --frozen
