FROM node:20
WORKDIR /a
COPY npmws/ .
RUN cd packages/a && npm ci
WORKDIR /b
COPY yarnsub/ .
RUN cd web && yarn install
WORKDIR /c
COPY npmsub/ .
RUN cd "$APP_DIR" && npm ci
WORKDIR /d
COPY npmsub/ .
RUN cd docs && npm ci
WORKDIR /e
COPY pyescape/ .
RUN pip install -r requirements.txt
WORKDIR /f
COPY gowork/ .
RUN cd api && go mod download
WORKDIR /g
COPY npmsub/ .
RUN npm ci --workspace client
WORKDIR /i
COPY javaapp/ .
RUN mvn -f other/pom.xml -B package
WORKDIR /j
COPY pysub/ .
RUN cd src && pip install -r ../requirements/prod.txt
