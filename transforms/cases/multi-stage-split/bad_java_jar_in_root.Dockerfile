FROM eclipse-temurin:17-jdk
COPY . /src
RUN cd /src && ./mvnw -B package && cp target/app.jar /app.jar
ENTRYPOINT ["java", "-jar", "/app.jar"]
