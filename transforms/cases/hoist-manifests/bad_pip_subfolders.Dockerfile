FROM python:3.12-slim
WORKDIR /app
COPY pysub/ .
RUN pip install --no-cache-dir -r requirements/prod.txt
WORKDIR /across
COPY pyacross/ .
RUN pip install -r requirements/prod.txt
WORKDIR /cd
COPY pysub/ .
RUN cd requirements && pip install -r prod.txt && cd .. && python -c 'import flask'
