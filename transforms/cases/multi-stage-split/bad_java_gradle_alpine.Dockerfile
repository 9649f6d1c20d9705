FROM gradle:8.7-jdk17-alpine
WORKDIR /home/gradle/project
COPY . .
RUN gradle bootJar --no-daemon
EXPOSE 8080
CMD ["java", "-jar", "build/libs/app.jar"]
