@echo off
rem fiberio's entry point on Windows (cmd.exe or PowerShell), with the commands of ./fiberio:
rem   fiberio http [args]       build and start the HTTP example on localhost:8080
rem   fiberio test              build and run every test (unit + socket suites + quick jcstress)
rem   fiberio run NAME [args]   build and run an example (http, echo-server, echo-client, proxy, demo)
rem   fiberio stress [quick or full] [jcstress args]   the jcstress suite (a bash script: needs Git Bash)
rem   fiberio mvn ARGS          run Maven with the JDK this script found
rem   fiberio java-home         print the JDK this script found
rem The JDK: JAVA_HOME if it is 25 or newer, else the newest JDK 25+ in the usual install folders,
rem else the one whose javac is on PATH.
setlocal EnableExtensions EnableDelayedExpansion
cd /d "%~dp0"
set "REQUIRED=25"
set "COMMAND=%~1"
if "%COMMAND%"=="" set "COMMAND=help"
if /i "%COMMAND%"=="help" goto help
if /i "%COMMAND%"=="-h" goto help
if /i "%COMMAND%"=="--help" goto help

rem ---- the arguments after the command (REST) and after the command's first argument (REST2)
set "FIRST=%~2"
set "REST="
set "REST2="
set /a "INDEX=0"
:collect
shift
if "%~1"=="" goto collected
set /a "INDEX+=1"
set REST=!REST! %1
if !INDEX! GEQ 2 set REST2=!REST2! %1
goto collect
:collected

rem ---- find a JDK
set "FOUND="
set "BEST_VERSION=0"
if not defined JAVA_HOME goto search
call :jdk_version "%JAVA_HOME%"
if !JDK_VERSION! GEQ %REQUIRED% (
  set "FOUND=!JAVA_HOME!"
  goto found
)
echo fiberio: JAVA_HOME=!JAVA_HOME! is JDK !JDK_VERSION!, need %REQUIRED%+; looking elsewhere 1>&2
:search
for /d %%d in ("%ProgramFiles%\Java\*" "%ProgramFiles%\Eclipse Adoptium\*" "%ProgramFiles%\Microsoft\jdk-*" ^
               "%ProgramFiles%\Zulu\*" "%ProgramFiles%\Amazon Corretto\*" "%ProgramFiles%\BellSoft\*" ^
               "%ProgramFiles%\OpenJDK\*" "%LOCALAPPDATA%\Programs\Eclipse Adoptium\*" "%USERPROFILE%\.jdks\*") do (
  call :consider "%%~d"
)
if defined FOUND goto found
for /f "delims=" %%j in ('where javac 2^>nul') do (
  if not defined FOUND call :consider_javac "%%~j"
)
if defined FOUND goto found
echo fiberio: no JDK %REQUIRED% or newer found (looked at JAVA_HOME, %ProgramFiles%\Java, Eclipse Adoptium, Microsoft, Zulu, Amazon Corretto, BellSoft, OpenJDK, %%USERPROFILE%%\.jdks, PATH). 1>&2
echo fiberio: install one (e.g. Temurin 25) or point JAVA_HOME at it. 1>&2
exit /b 1

:found
set "JAVA_HOME=%FOUND%"
set "PATH=%FOUND%\bin;%PATH%"
set "MAVEN_OPTS=%MAVEN_OPTS% --sun-misc-unsafe-memory-access=allow"
if /i "%COMMAND%"=="java-home" (
  echo !JAVA_HOME!
  exit /b 0
)
where mvn >nul 2>&1
if errorlevel 1 (
  echo fiberio: Apache Maven ^(mvn^) is not on PATH; install it and add its bin folder to PATH. 1>&2
  exit /b 1
)
if /i "%COMMAND%"=="mvn" goto cmd_mvn
if /i "%COMMAND%"=="test" goto cmd_test
if /i "%COMMAND%"=="http" goto cmd_http
if /i "%COMMAND%"=="run" goto cmd_run
if /i "%COMMAND%"=="stress" goto cmd_stress
echo fiberio: unknown command '%COMMAND%'; try fiberio help 1>&2
exit /b 2

:cmd_mvn
call mvn -B -ntp !REST!
exit /b %ERRORLEVEL%

:cmd_test
rem includes the quick jcstress run (fiber-stress, verify phase)
call mvn -B -ntp install !REST!
set "STATUS=%ERRORLEVEL%"
powershell -NoProfile -Command "$t=0; $f=0; $s=0; Get-ChildItem -Path . -Recurse -Filter 'TEST-*.xml' | Where-Object { $_.DirectoryName -like '*surefire-reports' } | ForEach-Object { $n=([xml](Get-Content -Raw $_.FullName)).testsuite; $t+=[int]$n.tests; $f+=[int]$n.failures+[int]$n.errors; $s+=[int]$n.skipped }; Write-Output ('fiberio: {0} passed, {1} failed, {2} skipped' -f ($t-$f-$s), $f, $s)"
exit /b %STATUS%

:cmd_http
set "EXAMPLE=http"
set "EXAMPLE_ARGS=!REST!"
goto run_example

:cmd_run
if "%FIRST%"=="" (
  echo usage: fiberio run NAME [args] 1>&2
  exit /b 2
)
set "EXAMPLE=%FIRST%"
set "EXAMPLE_ARGS=!REST2!"
goto run_example

:run_example
set "KNOWN="
for %%n in (http echo-server echo-client proxy demo) do if /i "%EXAMPLE%"=="%%n" set "KNOWN=1"
if not defined KNOWN (
  echo fiberio: unknown example '%EXAMPLE%' ^(http, echo-server, echo-client, proxy, demo^) 1>&2
  exit /b 2
)
call mvn -B -ntp -q -DskipTests -pl examples -am package
if errorlevel 1 exit /b %ERRORLEVEL%
rem The jar's manifest carries Add-Exports and Enable-Native-Access.
"%JAVA_HOME%\bin\java.exe" -jar examples\target\fiberio-examples.jar %EXAMPLE% !EXAMPLE_ARGS!
exit /b %ERRORLEVEL%

:cmd_stress
where bash >nul 2>&1
if errorlevel 1 (
  echo fiberio: the jcstress runner is a bash script; install Git for Windows ^(Git Bash^) or run ./fiberio stress there. 1>&2
  exit /b 1
)
bash fiber-stress/run-jcstress.sh !REST!
exit /b %ERRORLEVEL%

:help
for /f "tokens=1,* delims= " %%a in ('findstr /b /c:"rem   fiberio" "%~f0"') do echo %%b
exit /b 0

rem ---- :consider DIR: remembers DIR if it holds a JDK 25+ newer than the best so far
:consider
call :jdk_version "%~1"
if !JDK_VERSION! GEQ %REQUIRED% if !JDK_VERSION! GTR !BEST_VERSION! (
  set "FOUND=%~1"
  set "BEST_VERSION=!JDK_VERSION!"
)
exit /b 0

rem ---- :consider_javac PATH-OF-JAVAC: the JDK two folders up
:consider_javac
for %%p in ("%~dp1..") do call :consider "%%~fp"
exit /b 0

rem ---- :jdk_version DIR: sets JDK_VERSION to the feature version of DIR\bin\java.exe (0 if none)
:jdk_version
set "JDK_VERSION=0"
if not exist "%~1\bin\javac.exe" exit /b 0
if not exist "%~1\bin\java.exe" exit /b 0
set "SPEC="
"%~1\bin\java.exe" -XshowSettings:properties -version > "%TEMP%\fiberio-java-version.txt" 2>&1
for /f "tokens=2 delims==" %%v in ('findstr /c:"java.specification.version" "%TEMP%\fiberio-java-version.txt"') do set "SPEC=%%v"
del "%TEMP%\fiberio-java-version.txt" >nul 2>&1
if not defined SPEC exit /b 0
set "SPEC=%SPEC: =%"
for /f "tokens=1 delims=." %%m in ("%SPEC%") do set "JDK_VERSION=%%m"
exit /b 0
