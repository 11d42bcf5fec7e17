# Install rules beyond the programs, modules and man pages that the source
# directories install themselves (issue 8).  Included at the end of the top
# CMakeLists.txt.  Layout under the prefix:
#   bin/mkpvimage, bin/<host tools>         src/CMakeLists.txt
#   sbin/pvboot-xen-firmware                xl `firmware = "pvgrub64"` link helper
#   lib/pvboot/x86_64-xen/*.mod             modules/CMakeLists.txt
#   lib/pvboot/pvboot-x86_64-xen.bin        embed/CMakeLists.txt (all modules + default.cfg)
#   share/man/man{1,5,7,8}/                 top CMakeLists.txt + man8 here
#   share/bash-completion/completions/      mkpvimage, pvboot-xen-firmware
#   share/doc/pvboot/README.md
set(PVBOOT_PKG_DIR ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(PVBOOT_SCRIPTS_DIR ${PVBOOT_PKG_DIR} DIRECTORY)

install(PROGRAMS ${PVBOOT_PKG_DIR}/pvboot-xen-firmware DESTINATION ${CMAKE_INSTALL_SBINDIR})

file(GLOB PVBOOT_MAN8 ${PROJECT_SOURCE_DIR}/man/*.8)
install(FILES ${PVBOOT_MAN8} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

set(PVBOOT_COMPLETIONDIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${PVBOOT_SCRIPTS_DIR}/completion/mkpvimage DESTINATION ${PVBOOT_COMPLETIONDIR})
# bash-completion loads completions by command name: one file, two names
install(CODE "file(CREATE_LINK mkpvimage
    \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${PVBOOT_COMPLETIONDIR}/pvboot-xen-firmware SYMBOLIC)")

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
