FROM python:3.12-slim
RUN pip install -r requirements.txt
RUN python3 -m pip install --upgrade pip && pip3 install flask
