/**
 * Maven ecosystem: pom.xml (maven-pom.ts) and Gradle build scripts (maven-gradle.ts) share Maven coordinates
 * (`group:artifact`), Maven version order and the azure-sdk-bom table.
 */
import { gradleProjectName, readGradleDependencies } from './maven-gradle.js';
import { readPomDependencies } from './maven-pom.js';
import { joinPath, type AppFolder, type DependencyReader, type FoundDependency, type ReadContext } from './types.js';

const gradleScripts = ['build.gradle', 'build.gradle.kts'];

export const maven: DependencyReader = {
  ecosystem: 'maven',
  marks: (fileName) => fileName === 'pom.xml' || gradleScripts.includes(fileName),
  read(folder: AppFolder, context: ReadContext) {
    let name: string | null = null;
    const dependencies: FoundDependency[] = [];
    if (folder.files.includes('pom.xml')) {
      const pom = readPomDependencies(context, joinPath(folder.path, 'pom.xml'));
      name = pom.name;
      dependencies.push(...pom.dependencies);
    }
    for (const script of gradleScripts) {
      if (folder.files.includes(script)) dependencies.push(...readGradleDependencies(context, folder, script));
    }
    if (folder.files.some((file) => gradleScripts.includes(file))) name ??= gradleProjectName(context, folder);
    return { name, dependencies };
  },
};
