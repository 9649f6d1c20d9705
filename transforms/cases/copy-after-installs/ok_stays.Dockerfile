FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir flask
COPY . /usr/local/lib/app
RUN pip install --no-cache-dir gunicorn
COPY src/ src/
ENV A=1
RUN pip install --no-cache-dir flask
COPY . .
RUN npm install -g pnpm
