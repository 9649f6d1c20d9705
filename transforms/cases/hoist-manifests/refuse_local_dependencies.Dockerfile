FROM python:3.12
WORKDIR /a
COPY poetrynospace/ .
RUN poetry install
WORKDIR /b
COPY pep621file/ .
RUN uv sync --frozen
WORKDIR /c
COPY uvworkspace/ .
RUN uv sync
WORKDIR /d
COPY pipfileeditable/ .
RUN pipenv install --system
WORKDIR /e
COPY composerartifact/ .
RUN composer install
WORKDIR /f
COPY poetrypath/ .
RUN poetry install
WORKDIR /g
COPY composerpath/ .
RUN composer install
