FROM gradle:8.5-jdk17
WORKDIR /home/gradle/project
COPY . .
COPY config/app.yml /etc/app/app.yml
RUN ./gradlew bootJar --no-daemon
CMD ["java", "-jar", "build/libs/app.jar"]
