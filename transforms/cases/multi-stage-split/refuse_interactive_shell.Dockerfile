FROM python:3.10
RUN apt-get update && apt-get install -y git wget && rm -rf /var/lib/apt/lists/*
RUN pip install torch
WORKDIR /workspace
COPY . .
CMD ["bash"]
