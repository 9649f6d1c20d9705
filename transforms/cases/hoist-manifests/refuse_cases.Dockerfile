FROM node:18
WORKDIR /a
COPY hooks/ .
RUN npm ci
WORKDIR /b
COPY localdep/ .
RUN npm install
WORKDIR /c
COPY . .
ENV NODE_ENV=production
RUN npm ci
WORKDIR /d
COPY . /elsewhere
RUN npm ci
WORKDIR /e
COPY pylocal/ .
RUN pip install -r requirements.txt
WORKDIR /f
COPY golocal/ .
RUN go mod download
WORKDIR /g
COPY . .
RUN npm install left-pad
WORKDIR /h
COPY goapp/ .
RUN npm ci
WORKDIR /i
COPY mono/ .
RUN npm ci
