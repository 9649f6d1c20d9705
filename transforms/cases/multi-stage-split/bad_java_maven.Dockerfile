FROM maven:3.9-eclipse-temurin-21
WORKDIR /app
COPY pom.xml .
COPY src ./src
RUN mvn -B package -DskipTests
EXPOSE 8080
ENV JAVA_OPTS="-Xmx256m" MAVEN_OPTS="-Xmx1g"
CMD ["java", "-jar", "target/app.jar"]
