FROM gradle:8.5-jdk17
WORKDIR /home/gradle/project
COPY --chown=gradle:gradle . .
RUN gradle bootJar --no-daemon
CMD ["java", "-jar", "build/libs/app.jar"]
