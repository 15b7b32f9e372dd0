# The web UI (web/, see docs/ui.md), built with npm + Vite and compiled into the static
# library `web_assets`, which the `api` module links: build/cohort alone serves the UI.
#
#   web/ sources ──copy──▶ <build>/web ──npm ci──▶ node_modules ──npm run build──▶ dist/
#        dist/ ──scripts/embed_web.cmake──▶ <build>/generated/web_assets.cc ──▶ web_assets
#
# The build works on a copy of web/ inside the build directory, so build directories never
# share node_modules or dist (several may build at once). Each step is a custom command with
# stamp outputs, so nothing reruns unless its inputs changed.
#
# Options:
#   COHORT_WEB (default ON): build and embed the UI. OFF embeds nothing; `/` then serves a
#   one-line page that says so. With ON, npm (Node.js 20.19+) must be installed.

option(COHORT_WEB "Build the web UI with npm and embed it in the binary" ON)

set(COHORT_WEB_SRC ${PROJECT_SOURCE_DIR}/web)
set(COHORT_WEB_WORK ${CMAKE_BINARY_DIR}/web)
set(COHORT_WEB_DIST ${COHORT_WEB_WORK}/dist)
set(COHORT_WEB_CC ${CMAKE_BINARY_DIR}/generated/web_assets.cc)

if(COHORT_WEB)
  find_program(COHORT_NPM npm)
  find_program(COHORT_NODE node)
  if(NOT COHORT_NPM OR NOT COHORT_NODE)
    message(FATAL_ERROR
      "The web UI needs Node.js and npm, which were not found on PATH.\n"
      "Install them (./scripts/install-deps.sh installs nodejs and npm), or configure with "
      "-DCOHORT_WEB=OFF to build a server without the UI.")
  endif()

  # Everything the Vite build reads (not e2e/: the browser tests do not change the bundle).
  file(GLOB_RECURSE web_inputs CONFIGURE_DEPENDS
    ${COHORT_WEB_SRC}/src/*
    ${COHORT_WEB_SRC}/public/*)
  list(APPEND web_inputs
    ${COHORT_WEB_SRC}/index.html
    ${COHORT_WEB_SRC}/tsconfig.json
    ${COHORT_WEB_SRC}/vite.config.ts)

  set(lock ${COHORT_WEB_SRC}/package-lock.json)
  if(EXISTS ${lock})
    set(install_cmd ${COHORT_NPM} ci --no-audit --no-fund --loglevel=error)
    set(install_deps ${COHORT_WEB_SRC}/package.json ${lock})
  else()
    set(install_cmd ${COHORT_NPM} install --no-audit --no-fund --loglevel=error)
    set(install_deps ${COHORT_WEB_SRC}/package.json)
  endif()

  add_custom_command(
    OUTPUT ${COHORT_WEB_WORK}/npm-install.stamp
    COMMAND ${CMAKE_COMMAND} -E make_directory ${COHORT_WEB_WORK}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${install_deps} ${COHORT_WEB_WORK}/
    COMMAND ${install_cmd}
    COMMAND ${CMAKE_COMMAND} -E touch ${COHORT_WEB_WORK}/npm-install.stamp
    DEPENDS ${install_deps}
    WORKING_DIRECTORY ${COHORT_WEB_WORK}
    COMMENT "web: npm install (web/package-lock.json)"
    VERBATIM USES_TERMINAL)

  add_custom_command(
    OUTPUT ${COHORT_WEB_WORK}/build.stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${COHORT_WEB_WORK}/src ${COHORT_WEB_WORK}/public
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${COHORT_WEB_SRC}/src ${COHORT_WEB_WORK}/src
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${COHORT_WEB_SRC}/public ${COHORT_WEB_WORK}/public
    COMMAND ${CMAKE_COMMAND} -E copy_if_different
      ${COHORT_WEB_SRC}/index.html ${COHORT_WEB_SRC}/tsconfig.json ${COHORT_WEB_SRC}/vite.config.ts
      ${COHORT_WEB_WORK}/
    COMMAND ${COHORT_NPM} run --silent build
    COMMAND ${CMAKE_COMMAND} -E touch ${COHORT_WEB_WORK}/build.stamp
    DEPENDS ${web_inputs} ${COHORT_WEB_WORK}/npm-install.stamp
    WORKING_DIRECTORY ${COHORT_WEB_WORK}
    COMMENT "web: type-check and build the UI with Vite"
    VERBATIM USES_TERMINAL)
  set(embed_deps ${COHORT_WEB_WORK}/build.stamp)
  set(embed_dist ${COHORT_WEB_DIST})
else()
  message(STATUS "web UI: not built (COHORT_WEB=OFF)")
  set(embed_deps "")
  set(embed_dist "")
endif()

add_custom_command(
  OUTPUT ${COHORT_WEB_CC}
  COMMAND ${CMAKE_COMMAND} -DDIST=${embed_dist} -DOUT=${COHORT_WEB_CC}
    -P ${PROJECT_SOURCE_DIR}/scripts/embed_web.cmake
  DEPENDS ${embed_deps} ${PROJECT_SOURCE_DIR}/scripts/embed_web.cmake
  COMMENT "web: embed the UI in the binary"
  VERBATIM)

add_library(web_assets STATIC ${COHORT_WEB_CC})
target_include_directories(web_assets PUBLIC ${PROJECT_SOURCE_DIR}/src)
