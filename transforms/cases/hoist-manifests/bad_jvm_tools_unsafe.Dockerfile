FROM maven:3.9-eclipse-temurin-21
WORKDIR /mvn
COPY javaapp/ .
RUN mvn -B package
WORKDIR /gr
COPY gradleapp/ .
RUN ./gradlew build
WORKDIR /mvn2
COPY javaapp/ .
RUN mvn -f pom.xml -B package
